# The learning suites' workload (learn.bats, learn_containerd.bats).
# files, pipes, subprocesses, loopback TCP with nc (the client retries until
# the listener is up, and the server's file is waited for: no fixed sleeps).
WORKLOAD='set -e
echo hello >/tmp/a
cat /tmp/a | tr a-z A-Z >/tmp/b
grep -q HELLO /tmp/b
ls / | wc -l >/dev/null
(nc -l -p 8080 >/tmp/got &)
sleep 0.05 # part of the workload (the retry below may need it): not a wait
i=0; until echo ping | nc 127.0.0.1 8080; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.05; done
i=0; until grep -q ping /tmp/got; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.05; done
echo workload-ok'
