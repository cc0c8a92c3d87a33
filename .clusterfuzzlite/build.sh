#!/bin/bash -eu
# ClusterFuzzLite's build step (the Dockerfile copies this file to
# $SRC/build.sh, which `compile` runs): the project's OSS-Fuzz build script
# does all of it, so that OSS-Fuzz and ClusterFuzzLite build the same way.
exec bash -eu "$SRC/asyncconf/fuzz/oss-fuzz/build.sh"
