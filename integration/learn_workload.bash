# The learning suites' workload (learn.bats, learn_containerd.bats).
# files, pipes, subprocesses, loopback TCP with nc.  The client connects once
# the listening socket shows in /proc/net, and the server is waited for, so
# that every run makes the same calls in the same processes (a learned
# profile is then exactly what the enforced run needs).  grep -c, not -q, on
# the pipe: -q stops at the match and lseeks back over what it read after
# it, which depends on the lines that follow.
WORKLOAD='set -e
echo hello >/tmp/a
cat /tmp/a | tr a-z A-Z >/tmp/b
grep -q HELLO /tmp/b
ls / | wc -l >/dev/null
nc -l -p 8080 >/tmp/got & srv=$!
sleep 0.05 # part of the workload (the wait below may need it): not a wait
i=0; until [ "$(cat /proc/net/tcp /proc/net/tcp6 | grep -c ":1F90 0*:0000 0A")" -gt 0 ]; do
	i=$((i+1)); [ $i -lt 200 ]; sleep 0.05; done
echo ping | nc 127.0.0.1 8080
wait $srv
grep -q ping /tmp/got
echo workload-ok'
