#!/bin/sh
# Test bed self-test: testbed/run must exit with this script's status, 3.
echo "exit3: exiting with status 3"
exit 3
