// Runs the artifact inventory sidecar's script for real under /bin/sh on a folder, as its container would: it waits,
// the kubelet's SIGTERM makes it print the inventory, and it exits 0.
import { spawnSync } from 'node:child_process';
import { artifactInventoryName, artifactInventoryScript } from '../../../src/platform/kubernetes/artifactInventory.ts';

// Sends TERM only once the script has installed its trap (SIGTERM, bit 14, in /proc's SigCgt): the kubelet signals a
// sidecar long after it started, and a signal before the trap would just kill it.
const driver = `/bin/sh -c "$1" ${artifactInventoryName} "$2" &
pid=$!
i=0
while [ $i -lt 1000 ]; do
  m=$(awk '/^SigCgt/ {print $2}' /proc/$pid/status 2>/dev/null)
  if [ -n "$m" ] && [ $(( 0x$m & 0x4000 )) -ne 0 ]; then break; fi
  sleep 0.01; i=$((i + 1))
done
kill -TERM $pid
wait $pid`;

/** The lines the sidecar prints for `dir` (synchronous, so a fake operator's script can call it). */
export function inventoryLines(dir: string): string[] {
  const r = spawnSync('/bin/bash', ['-c', driver, 'driver', artifactInventoryScript, dir], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (r.status !== 0 || r.stderr !== '') throw new Error(`inventory script exited ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}
