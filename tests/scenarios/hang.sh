#!/bin/sh
# Test bed self-test: never ends, so testbed/run must hit its timeout.
echo "hang: sleeping forever"
while :; do sleep 3600; done
