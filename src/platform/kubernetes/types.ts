/** Plain shapes of the Kubernetes objects the backend reads and writes (the API's JSON, loosely typed). */

/** Object metadata fields the backend uses. */
export interface KubeMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string | Date;
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeMetadata;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/** Where a namespaced resource lives: `/apis/{group}/{version}/namespaces/{ns}/{plural}` (`/api/v1/...` for core). */
export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
}
