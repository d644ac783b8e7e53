#!/usr/bin/env bash
# The postgres image runs this once, on an empty data directory: the roles, schemas and the warehouse database of
# 1-roles.sql, with the passwords of .env (docker-compose.yml passes them to the postgres service)
set -euo pipefail
bash /provisioning-bin/provision.sh roles
