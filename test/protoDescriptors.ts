// Comparing a hand-written subset proto with the project's original, descriptor by descriptor: the contract tests
// of katib-api.proto (Katib's api.proto) and mlmd-api.proto (ML Metadata's protos) share it.
import type { MessageTypeDefinition, PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';

/** The parts of a field descriptor that make the wire format: names, numbers, labels, types, oneof membership. */
export interface Field {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
  oneofIndex?: number;
}

/** A message or enum descriptor as @grpc/proto-loader gives it. */
export interface Descriptor {
  name: string;
  field?: Field[];
  nestedType?: Descriptor[];
  enumType?: { name: string; value: { name: string; number: number }[] }[];
  value?: { name: string; number: number }[];
}

/** The descriptor of message or enum `key` (`package.Name`) in a loaded definition. */
export function descriptorOf(def: PackageDefinition, key: string): Descriptor | undefined {
  return (def[key] as MessageTypeDefinition<unknown, unknown> | undefined)?.type as Descriptor | undefined;
}

/** Whether a definition entry is a service (messages and enums carry a `format`). */
export function isService(entry: unknown): entry is ServiceDefinition {
  return typeof entry === 'object' && entry !== null && !('format' in entry);
}

/**
 * Every difference between our descriptor and the original's (`owner` names it in the lines), as readable lines
 * (`Experiment.spec: number 2 ≠ Katib's 3`); nested messages and enums included. Fields and values the original has
 * and ours leaves out are not differences: ours is a subset.
 */
export function differences(owner: string, path: string, mine: Descriptor, theirs: Descriptor | undefined): string[] {
  if (theirs === undefined) return [`${path}: ${owner} has no such type`];
  const out: string[] = [];
  for (const f of mine.field ?? []) {
    const t = theirs.field?.find((x) => x.name === f.name);
    if (t === undefined) {
      out.push(`${path}.${f.name}: ${owner} has no such field`);
      continue;
    }
    for (const k of ['number', 'label', 'type', 'typeName'] as const) {
      if (f[k] !== t[k]) out.push(`${path}.${f.name}: ${k} ${String(f[k])} ≠ ${owner}'s ${String(t[k])}`);
    }
    if ((f.oneofIndex === undefined) !== (t.oneofIndex === undefined)) out.push(`${path}.${f.name}: oneof differs`);
  }
  for (const v of mine.value ?? []) {
    const t = theirs.value?.find((x) => x.name === v.name);
    if (t?.number !== v.number) out.push(`${path}.${v.name}: enum value ${v.number} ≠ ${owner}'s ${String(t?.number)}`);
  }
  for (const n of mine.nestedType ?? []) {
    out.push(
      ...differences(
        owner,
        `${path}.${n.name}`,
        n,
        theirs.nestedType?.find((x) => x.name === n.name),
      ),
    );
  }
  for (const e of mine.enumType ?? []) {
    out.push(
      ...differences(
        owner,
        `${path}.${e.name}`,
        e,
        theirs.enumType?.find((x) => x.name === e.name),
      ),
    );
  }
  return out;
}
