import { readdir } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { fieldOf, ProtoDecodeError, ProtoReader, WireType, wireOf } from './protobuf.ts';
import { readTfRecords } from './tfrecord.ts';
import { epochSecondsToKey, formatTimeKey } from './timestamp.ts';
import type { MetricLog } from './types.ts';

/** One scalar from an event file: a `simple_value` or a scalar DT_FLOAT/DT_DOUBLE tensor. */
export interface TfScalar {
  readonly tag: string;
  readonly step: number;
  /** Seconds since the epoch (Event.wall_time). */
  readonly wallTime: number;
  readonly value: number;
  /** Whether the value was stored as float32 (printed with float32's shortest form). */
  readonly float32: boolean;
}

const dtFloat = 1;
const dtDouble = 2;

/** The shortest decimal text that reads back as the same float32 (what numpy prints for a float32 scalar). */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const text = Number(v.toPrecision(p));
    if (Math.fround(text) === v) return String(text);
  }
  return String(v);
}

/** TensorProto (dtype=1, tensor_shape=2, tensor_content=4, float_val=5, double_val=6) → a scalar, if it is one. */
function decodeScalarTensor(r: ProtoReader): { value: number; float32: boolean } | undefined {
  let dtype = 0;
  let elements = 1;
  let content: Uint8Array | undefined;
  let first: number | undefined;
  while (!r.done()) {
    const key = r.tag();
    const field = fieldOf(key);
    const wire = wireOf(key);
    if (field === 1 && wire === WireType.varint) dtype = r.varint();
    else if (field === 2 && wire === WireType.bytes) {
      const shape = r.message();
      while (!shape.done()) {
        const k = shape.tag();
        if (fieldOf(k) === 2 && wireOf(k) === WireType.bytes) {
          const dim = shape.message();
          while (!dim.done()) {
            const dk = dim.tag();
            if (fieldOf(dk) === 1 && wireOf(dk) === WireType.varint) elements *= Number(dim.int64());
            else dim.skip(wireOf(dk));
          }
        } else if (fieldOf(k) === 3 && wireOf(k) === WireType.varint) {
          if (shape.varint() !== 0) return undefined; // unknown rank
        } else shape.skip(wireOf(k));
      }
    } else if (field === 4 && wire === WireType.bytes) content = r.bytes();
    else if ((field === 5 || field === 6) && wire === WireType.bytes) {
      // Packed repeated float/double: only the first element matters for a scalar.
      const packed = r.message();
      if (first === undefined && !packed.done()) first = field === 5 ? packed.float() : packed.double();
    } else if (field === 5 && wire === WireType.fixed32) {
      const v = r.float();
      first ??= v;
    } else if (field === 6 && wire === WireType.fixed64) {
      const v = r.double();
      first ??= v;
    } else r.skip(wire);
  }
  if (elements !== 1 || (dtype !== dtFloat && dtype !== dtDouble)) return undefined;
  const float32 = dtype === dtFloat;
  if (content !== undefined && content.length > 0) {
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    if (content.length !== (float32 ? 4 : 8)) return undefined;
    return { value: float32 ? view.getFloat32(0, true) : view.getFloat64(0, true), float32 };
  }
  return first === undefined ? undefined : { value: first, float32 };
}

/** Summary.Value (tag=1, simple_value=2, tensor=8) → a scalar, if it carries one. */
function decodeValue(r: ProtoReader): { tag: string; value: number; float32: boolean } | undefined {
  let tag = '';
  let scalar: { value: number; float32: boolean } | undefined;
  while (!r.done()) {
    const key = r.tag();
    const field = fieldOf(key);
    const wire = wireOf(key);
    if (field === 1 && wire === WireType.bytes) tag = r.string();
    else if (field === 2 && wire === WireType.fixed32) scalar = { value: r.float(), float32: true };
    else if (field === 8 && wire === WireType.bytes) scalar = decodeScalarTensor(r.message()) ?? scalar;
    else r.skip(wire);
  }
  return scalar === undefined ? undefined : { tag, ...scalar };
}

/** Decodes one serialized `Event` (wall_time=1, step=2, summary=5) into its scalar values. */
export function decodeEvent(data: Uint8Array): TfScalar[] {
  const r = new ProtoReader(data);
  let wallTime = 0;
  let step = 0;
  const values: { tag: string; value: number; float32: boolean }[] = [];
  while (!r.done()) {
    const key = r.tag();
    const field = fieldOf(key);
    const wire = wireOf(key);
    if (field === 1 && wire === WireType.fixed64) wallTime = r.double();
    else if (field === 2 && wire === WireType.varint) step = Number(r.int64());
    else if (field === 5 && wire === WireType.bytes) {
      const summary = r.message();
      while (!summary.done()) {
        const k = summary.tag();
        if (fieldOf(k) === 1 && wireOf(k) === WireType.bytes) {
          const v = decodeValue(summary.message());
          if (v !== undefined) values.push(v);
        } else summary.skip(wireOf(k));
      }
    } else r.skip(wire);
  }
  return values.map((v) => ({ ...v, step, wallTime }));
}

/** Reads every scalar of one event file, stopping (with a warning) at a corrupt or partial record. */
export async function readTfEventsFile(path: string, onWarning: (message: string) => void): Promise<TfScalar[]> {
  const out: TfScalar[] = [];
  let index = 0;
  for await (const record of readTfRecords(path, onWarning)) {
    try {
      out.push(...decodeEvent(record));
    } catch (err) {
      if (!(err instanceof ProtoDecodeError)) throw err;
      onWarning(`${path}: record ${index} is not a valid Event (${err.message}); skipped`);
    }
    index++;
  }
  return out;
}

async function findEventFiles(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await findEventFiles(full, out);
    else if ((e.isFile() || e.isSymbolicLink()) && e.name.startsWith('events.out.tfevents.')) out.push(full);
  }
}

/**
 * Katib's TensorFlowEvent collector over a directory tree: a scalar's tag matches metric `m` when it starts
 * with `m`'s last path component and, if `m` contains '/', the event file's directory ends with `m`'s
 * directory part (plain string suffix, as Katib does). Logs are named `m`, timed by wall_time.
 * A missing directory yields no logs and a warning; corrupt files are read up to the damage.
 */
export async function readTfEventsDir(
  dir: string,
  metricNames: readonly string[],
  options: { onWarning?: (message: string) => void } = {},
): Promise<MetricLog[]> {
  const onWarning = options.onWarning ?? (() => {});
  const files: string[] = [];
  try {
    await findEventFiles(dir, files);
  } catch (err) {
    onWarning(`cannot read TensorFlow event directory ${dir}: ${(err as Error).message}`);
    return [];
  }
  const metrics = [...new Set(metricNames)].map((m) => ({
    name: m,
    tagPrefix: m.split('/').at(-1) ?? m,
    parent: m.includes('/') ? posix.dirname(m) : undefined,
  }));
  const logs: MetricLog[] = [];
  for (const file of files) {
    const fileDir = dirname(file);
    const eligible = metrics.filter((m) => m.parent === undefined || fileDir.endsWith(m.parent));
    if (eligible.length === 0) continue;
    for (const s of await readTfEventsFile(file, onWarning)) {
      const key = epochSecondsToKey(s.wallTime);
      const value = s.float32 ? formatFloat32(s.value) : String(s.value);
      for (const m of eligible) {
        if (!s.tag.startsWith(m.tagPrefix)) continue;
        const step = s.step;
        logs.push(
          key === undefined ? { name: m.name, value, step } : { name: m.name, value, step, time: formatTimeKey(key) },
        );
      }
    }
  }
  return logs;
}
