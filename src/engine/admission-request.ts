/**
 * The `request` of an admission.k8s.io/v1 AdmissionReview, as far as the
 * webhook reads it. The HTTP layer checks the envelope; the engine reads the
 * rest defensively, since fields may be missing in odd reviews.
 */
export interface GroupVersionKind {
  group?: string;
  version?: string;
  kind?: string;
}

export interface GroupVersionResource {
  group?: string;
  version?: string;
  resource?: string;
}

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  uid: string;
  kind?: GroupVersionKind;
  resource?: GroupVersionResource;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation?: Operation | string;
  userInfo?: UserInfo;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

/** A pod CREATE request for `object`: how the offline CLI, the tests and the benchmark ask the engine. */
export function podCreateRequest(object: unknown, fields: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    uid: 'pod-hardener',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'default',
    operation: 'CREATE',
    object,
    ...fields,
  };
}
