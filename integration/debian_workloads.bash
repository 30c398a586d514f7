# Debian's own programs in containers of the Debian rootfs
# (ensure_debian_rootfs): the bundles and the in-container scripts that
# learn_debian.bats and bench/workload.bench.sh run.  Needs helpers.bash.
# shellcheck disable=SC2016,SC2034 # in-container scripts, single-quoted on purpose, used by the loaders

# containerd's CRI default capabilities (Docker's set): what a pod's container
# has unless its securityContext changes it.  nginx's master needs SETUID,
# SETGID (workers as www-data) and DAC_OVERRIDE (its www-data 0640 logs).
CRI_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD",
"CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP",
"CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'

# debian_bundle DIR SCRIPT [make_bundle option...]: a bundle at DIR whose
# rootfs is an overlay of $DEBIAN_ROOTFS (nothing reaches the cache) running
# `/bin/sh -c SCRIPT` (dash) as root with the CRI capabilities and
# noNewPrivileges off, as containerd makes them; nginx set up as a reverse
# proxy (debian_nginx_site).
debian_bundle() {
	local dir="$1" script="$2"
	shift 2
	make_bundle "$@" --rootfs "$DEBIAN_ROOTFS" "$dir" /bin/sh -c "$script" || return 1
	bundle_edit "$dir" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}
		| .process.noNewPrivileges = false' --argjson c "$CRI_CAPS"
	debian_nginx_site "$dir/rootfs"
}

# debian_nginx_site ROOTFS: Debian's nginx.conf (master as root, workers as
# www-data, logs in /var/log/nginx) with one site: port 80 proxies every
# request to an upstream server on 127.0.0.1:8081, a new upstream connection
# per request (no keepalive), which serves /srv/www.
debian_nginx_site() {
	local r="$1" i
	mkdir -p "$r/srv/www"
	# a symlink to an absolute path: replaced, never written through from the host
	rm -f "$r/etc/nginx/sites-enabled/default"
	cat >"$r/etc/nginx/sites-enabled/default" <<-'EOF'
		server {
			listen 80 default_server;
			location / { proxy_pass http://127.0.0.1:8081; }
		}
		server {
			listen 127.0.0.1:8081;
			root /srv/www;
		}
	EOF
	echo "hardrun: served by the upstream nginx" >"$r/srv/www/index.html"
	for i in $(seq 1 400); do echo "line $i of a text that gzip compresses"; done >"$r/srv/www/big.txt"
}

# The wait loops below sleep at least once, so that a learned run and the
# runs after it make the same calls however fast the server is.

# In-container snippet: wait (at most 10 s) until nginx answers through the proxy.
NGINX_UP='n=0; until sleep 0.1; curl -sf -o /dev/null http://127.0.0.1/; do
	n=$((n + 1)); [ $n -lt 100 ] || { echo "nginx did not answer"; exit 1; }; done'

# In-container snippet: stop nginx and wait (at most 10 s) until its master is gone.
NGINX_QUIT='nginx -s quit; n=0; while sleep 0.1; [ -e /run/nginx.pid ]; do
	n=$((n + 1)); [ $n -lt 100 ] || { echo "nginx did not quit"; exit 1; }; done'

# In-container snippet: redis-server as user redis, as Debian's service runs
# it, and wait (at most 10 s) for its PONG.
REDIS_UP='setpriv --reuid=redis --regid=redis --init-groups redis-server --daemonize yes \
	--bind 127.0.0.1 --port 6379 --dir /var/lib/redis --save "" \
	--logfile /var/log/redis/redis-server.log --pidfile /var/lib/redis/redis.pid
n=0; until sleep 0.1; [ "$(redis-cli ping 2>/dev/null)" = PONG ]; do
	n=$((n + 1)); [ $n -lt 100 ] || { echo "redis did not answer"; exit 1; }; done'

# In-container snippet: stop redis-server and wait (at most 10 s) until it is gone.
REDIS_QUIT='redis-cli shutdown nosave >/dev/null 2>&1 || true
n=0; while sleep 0.1; redis-cli ping >/dev/null 2>&1; do
	n=$((n + 1)); [ $n -lt 100 ] || { echo "redis did not stop"; exit 1; }; done'
