#!/bin/sh
# A test engine that fails at once: the supervisor must log the exit and restart it with backoff.
echo "test crash engine starting"
echo "test crash engine: giving up" >&2
exit 1
