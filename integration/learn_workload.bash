# The learning suites' workload (learn.bats, learn_containerd.bats).
# files, pipes, subprocesses, loopback TCP with nc.
WORKLOAD='set -e
echo hello >/tmp/a
cat /tmp/a | tr a-z A-Z >/tmp/b
grep -q HELLO /tmp/b
ls / | wc -l >/dev/null
(nc -l -p 8080 >/tmp/got &)
sleep 0.3
echo ping | nc 127.0.0.1 8080
sleep 0.3
grep -q ping /tmp/got
echo workload-ok'
