#!/usr/bin/env bash
# Installs everything hpo-workbench needs on a fresh Debian 12 machine: the Debian packages its example and
# end-to-end trials use (scikit-learn for the SVC example, PyTorch and Open MPI for distributed trials, PostgreSQL for
# the PostgreSQL store's tests), then the npm dependencies (better-sqlite3
# compiles from source against Node's own headers, see .npmrc).
set -euo pipefail
cd "$(dirname "$0")/.."

# --bench also installs Optuna 3.1 (python3-optuna), the reference that `npm run bench:search` runs beside ours.
need_apt=()
/usr/bin/python3 -c 'import sklearn, numpy' >/dev/null 2>&1 || need_apt+=(python3-sklearn python3-numpy)
# Distributed trials: PyTorch (gloo, CPU) for the DDP example and tests, Open MPI for MPIJob trials.
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need_apt+=(python3-torch)
command -v mpirun >/dev/null 2>&1 || need_apt+=(openmpi-bin)
# PostgreSQL server binaries (initdb, pg_ctl): the PostgreSQL store's tests start a throwaway cluster with them.
# Debian keeps them off PATH, under /usr/lib/postgresql/<version>/bin.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_apt+=(postgresql)
# Headless Chromium: the dashboard's end-to-end tests (test/ui/browser.test.ts) and its benchmark drive it through
# playwright-core; DejaVu fonts so the charts' text renders the same everywhere.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
# Jupyter, to execute the TypeScript notebooks in examples/notebooks under the tslab kernel (test/notebooks): Debian's
# nbconvert (`/usr/bin/python3 -m nbconvert --execute`; the `jupyter nbconvert` command comes with jupyter-nbconvert),
# nbclient, ipykernel and jupyter-client.
/usr/bin/python3 -c 'import nbconvert, nbclient, ipykernel, jupyter_client' >/dev/null 2>&1 ||
  need_apt+=(jupyter-nbconvert python3-nbconvert python3-nbclient python3-ipykernel jupyter-client)
if [ "${1:-}" = "--bench" ]; then
  /usr/bin/python3 -c 'import optuna' >/dev/null 2>&1 || need_apt+=(python3-optuna)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "setup: installing Debian packages: ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  # `npm install`, not `npm ci`: the registry here lacks some of Biome's optional per-platform packages, which
  # npm ci treats as a lockfile mismatch; npm install skips them and still installs the locked versions.
  npm install --no-audit --no-fund --loglevel=error
fi
