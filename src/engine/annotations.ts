/** The annotation keys pod-hardener reads and writes, all derived from the configured prefix. */
export interface AnnotationKeys {
  /** `<prefix>/exempt`: "all" or a list of control ids, for the whole pod. */
  readonly exempt: string;
  /** `<prefix>/exempt-reason`: free text, recorded in the audit log. */
  readonly exemptReason: string;
  /** `<prefix>/writable-paths`: extra emptyDir mounts beside /tmp. */
  readonly writablePaths: string;
  /** `<prefix>/hardened`: written by the webhook, what it changed. */
  readonly hardened: string;
  /** `container.<prefix>/` + container name: "all" or a list of control ids, for one container. */
  readonly containerPrefix: string;
}

let last: AnnotationKeys & { prefix: string } = keysFor('pod-hardener.io');

/** The keys for `prefix`; the last prefix's are kept, as one policy serves review after review. */
export function annotationKeys(prefix: string): AnnotationKeys {
  if (last.prefix !== prefix) last = keysFor(prefix);
  return last;
}

function keysFor(prefix: string): AnnotationKeys & { prefix: string } {
  return Object.freeze({
    prefix,
    exempt: `${prefix}/exempt`,
    exemptReason: `${prefix}/exempt-reason`,
    writablePaths: `${prefix}/writable-paths`,
    hardened: `${prefix}/hardened`,
    containerPrefix: `container.${prefix}/`,
  });
}
