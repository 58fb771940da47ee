// Our mlmd-api.proto is a subset of ML Metadata's protos: every message, field (name, number, label, type) and enum
// value it declares is the same as in MLMD 1.16.0 and in the 1.14.0 copy KFP 2.17 deploys, and every method has
// MLMD's path and request/response types. A drift would put bytes on the wire that a real server reads differently.
import { loadSync, type PackageDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { mlmdProtoPath } from '../../../src/platform/mlmd/client.ts';
import { type Descriptor, descriptorOf, differences as differ, isService } from '../../protoDescriptors.ts';
import { loadRealMlmd } from './fakeMlmd.ts';

const differences = (path: string, mine: Descriptor, theirs: Descriptor | undefined): string[] =>
  differ('MLMD', path, mine, theirs);

const options = { keepCase: true, longs: String, enums: String, oneofs: true, arrays: true };
const ours: PackageDefinition = loadSync(mlmdProtoPath(), options);

const typeKeys = Object.keys(ours).filter((k) => k.startsWith('ml_metadata.') && !isService(ours[k]));

describe.each(['1.16.0', '1.14.0'] as const)('mlmd-api.proto against ML Metadata %s', (version) => {
  const real = loadRealMlmd(version);

  it.each(typeKeys)('%s has the same fields, numbers, labels and types', (key) => {
    expect(differences(key, descriptorOf(ours, key)!, descriptorOf(real, key))).toEqual([]);
  });

  it('calls MetadataStoreService methods by their real paths and message types', () => {
    const mine = ours['ml_metadata.MetadataStoreService'] as ServiceDefinition;
    const theirs = real['ml_metadata.MetadataStoreService'] as ServiceDefinition;
    expect(Object.keys(mine).length).toBe(12);
    for (const [method, m] of Object.entries(mine)) {
      const t = theirs[method];
      if (t === undefined) throw new Error(`MLMD has no method ${method}`);
      expect(m.path).toBe(t.path);
      expect((m.requestType.type as Descriptor).name).toBe((t.requestType.type as Descriptor).name);
      expect((m.responseType.type as Descriptor).name).toBe((t.responseType.type as Descriptor).name);
    }
  });

  it('notices a drifted field (the check itself can fail)', () => {
    const mine = descriptorOf(ours, 'ml_metadata.Artifact')!;
    const drifted = { ...mine, field: mine.field!.map((f) => (f.name === 'uri' ? { ...f, number: 4 } : f)) };
    expect(differences('Artifact', drifted, descriptorOf(real, 'ml_metadata.Artifact'))).toEqual([
      "Artifact.uri: number 4 ≠ MLMD's 3",
    ]);
  });
});
