#!/bin/sh
# A WebDAV object store for tests: nginx (core http_dav_module: PUT, DELETE) on 127.0.0.1 with
# its files in <dir>/data. `/slow/` serves the same files at 256 KB/s, for interrupted downloads.
#   dav-server.sh start <dir>   prints the base URL, or exits 2 when nginx cannot run here
#   dav-server.sh stop <dir>
set -u
cmd=${1:?usage: dav-server.sh start|stop <dir>}
dir=${2:?usage: dav-server.sh start|stop <dir>}
nginx=$(command -v nginx || echo /usr/sbin/nginx)

if [ "$cmd" = stop ]; then
	[ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null
	exit 0
fi
[ -x "$nginx" ] || { echo "nginx is not installed (make deps installs it)" >&2; exit 2; }
mkdir -p "$dir/data" "$dir/tmp" "$dir/logs"
dir=$(cd "$dir" && pwd)
# Workers run as the invoking user when started by root, so they can write the test's files.
user_line=
[ "$(id -u)" = 0 ] && user_line="user root;"
for try in 1 2 3 4 5 6 7 8; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))
	cat > "$dir/nginx.conf" <<CONF
$user_line
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 64; }
http {
	access_log $dir/logs/access.log;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	server {
		listen 127.0.0.1:$port;
		root $dir/data;
		client_max_body_size 0;
		location / {
			dav_methods PUT DELETE;
			create_full_put_path on;
			dav_access user:rw group:r all:r;
		}
		location /slow/ {
			alias $dir/data/;
			limit_rate 256k;
		}
	}
}
CONF
	if "$nginx" -c "$dir/nginx.conf" -p "$dir" 2>"$dir/logs/start.log"; then
		echo "http://127.0.0.1:$port"
		exit 0
	fi
	grep -q "Address already in use" "$dir/logs/start.log" || break
done
echo "nginx did not start: $(tail -1 "$dir/logs/start.log")" >&2
exit 2
