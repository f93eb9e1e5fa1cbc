#!/bin/sh
# /usr/bin/xpos-agent: the installed agent's command (make install and the .deb fill in the
# node binary and the app directory; these are the defaults).
# exec, never a child: the unit is Type=notify with NotifyAccess=main, so systemd accepts READY
# and WATCHDOG only from the main PID. A wrapper that forked node would have every message
# dropped, the start would time out and the watchdog would kill it.
exec /usr/bin/node /opt/xpos-agent/dist/agent/main.js "$@"
