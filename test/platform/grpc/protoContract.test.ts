import type { PackageDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { katibProtoPath, loadKatibDefinition } from '../../../src/platform/grpc/loadProto.ts';
import { type Descriptor, descriptorOf, differences as differ, isService } from '../../protoDescriptors.ts';
import { katibOriginalProto } from './helpers.ts';

const differences = (path: string, mine: Descriptor, theirs: Descriptor | undefined): string[] =>
  differ('Katib', path, mine, theirs);

const ours: PackageDefinition = loadKatibDefinition(katibProtoPath());
const katib: PackageDefinition = loadKatibDefinition(katibOriginalProto());

const typeKeys = Object.keys(ours).filter((k) => !isService(ours[k]));
const serviceKeys = Object.keys(ours).filter((k) => isService(ours[k]));

describe('katib-api.proto against Katib api.proto', () => {
  it('keeps package api.v1.beta1 and serves the Suggestion and EarlyStopping services', () => {
    expect(serviceKeys.sort()).toEqual([
      'api.v1.beta1.DBManager',
      'api.v1.beta1.EarlyStopping',
      'api.v1.beta1.Suggestion',
    ]);
    expect(typeKeys.every((k) => k.startsWith('api.v1.beta1.'))).toBe(true);
  });

  it.each(typeKeys)('%s has the same fields, numbers, labels and types as in Katib', (key) => {
    const mine = descriptorOf(ours, key) as Descriptor;
    expect(differences(key, mine, descriptorOf(katib, key))).toEqual([]);
  });

  it.each(serviceKeys)('%s methods match Katib (path, request and response types)', (key) => {
    const mine = ours[key] as ServiceDefinition;
    const theirs = katib[key] as ServiceDefinition | undefined;
    expect(theirs).toBeDefined();
    for (const [method, m] of Object.entries(mine)) {
      const t = theirs?.[method];
      if (t === undefined) throw new Error(`Katib's ${key} has no method ${method}`);
      expect(m.path).toBe(t.path);
      expect((m.requestType.type as Descriptor).name).toBe((t.requestType.type as Descriptor).name);
      expect((m.responseType.type as Descriptor).name).toBe((t.responseType.type as Descriptor).name);
    }
  });

  it('declares every method of Katib Suggestion and EarlyStopping services', () => {
    for (const key of ['api.v1.beta1.Suggestion', 'api.v1.beta1.EarlyStopping']) {
      expect(Object.keys(ours[key] as object).sort()).toEqual(Object.keys(katib[key] as object).sort());
    }
  });

  it.each([
    'api.v1.beta1.ExperimentSpec',
    'api.v1.beta1.NasConfig',
    'api.v1.beta1.GraphConfig',
    'api.v1.beta1.Operation',
  ])('%s has every field of Katib’s (the NAS messages are complete, not a subset)', (key) => {
    const mine = descriptorOf(ours, key);
    const theirs = descriptorOf(katib, key) as Descriptor;
    expect(mine).toBeDefined();
    // Katib's against ours, so a field we lack is found (the message's roles are swapped back).
    const missing = differences(key, theirs, mine).map((l) =>
      l.replace('Katib has no such field', 'missing from katib-api.proto').replace("≠ Katib's", '≠ ours'),
    );
    expect(missing).toEqual([]);
  });

  it('notices a drifted field (the check itself can fail)', () => {
    const mine = descriptorOf(ours, 'api.v1.beta1.GetSuggestionsRequest') as Descriptor;
    const drifted: Descriptor = {
      ...mine,
      field: (mine.field ?? []).map((f) => (f.name === 'current_request_number' ? { ...f, number: 3 } : f)),
    };
    const found = differences(
      'GetSuggestionsRequest',
      drifted,
      descriptorOf(katib, 'api.v1.beta1.GetSuggestionsRequest'),
    );
    expect(found).toEqual(["GetSuggestionsRequest.current_request_number: number 3 ≠ Katib's 4"]);
  });
});
