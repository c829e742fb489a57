/**
 * Findings: what a person should hear about a review, as structured data.
 * The engine only states them; each adapter renders them its own way — the
 * answer's `warnings` (kubectl prints them; admission/warnings.ts), the
 * decision record (every finding, never cut), the `harden` CLI's stderr.
 */
import type { ControlId } from './control-ids.js';

export type FindingKind =
  /** A control was not applied to a container, because applying it would break the pod. */
  | 'notApplicable'
  /** A pod-level field was left as it is (the reason says why). */
  | 'podLevel'
  /** An exemption annotation was refused by the policy's governance rules. */
  | 'exemptionRefused'
  /** An annotation of ours could not be used as written (unknown control or container, bad path). */
  | 'annotation'
  /** A writable path that would break the container or its credentials was refused. */
  | 'writablePathRefused'
  /** The Namespace object's labels could not be used as written. */
  | 'namespace'
  /** The pod could not be read; nothing was hardened. `field` names the bad field. */
  | 'malformedPod'
  /** The review could not be hardened for another reason given in the detail. */
  | 'notHardened'
  /** Audit mode: what enforce mode would have changed. */
  | 'audit'
  /** What a container's image says about itself changed a decision (image, user, fix). */
  | 'image'
  /** A VOLUME the image declares got (or did not get) a writable emptyDir; for the record, not a warning. */
  | 'imageVolume';

export interface Finding {
  kind: FindingKind;
  /** The container it is about, if one. */
  container?: string;
  /** The controls it is about, if any. */
  controls?: ControlId[];
  /** For malformedPod: the field at fault (e.g. request.object.spec.containers[0].name). */
  field?: string;
  /** For image: the image reference as the container writes it. */
  image?: string;
  /** A sentence a person can act on; printable, never pod content beyond names. */
  detail: string;
}
