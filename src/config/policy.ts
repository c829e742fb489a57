/**
 * The policy: what the platform team decides. Read from a YAML file (a mounted
 * ConfigMap), validated here; every field has a default, and an unknown field
 * is an error that names it, so a typo never silently weakens the policy.
 */
import { z } from 'zod';
import { CONTROL_IDS } from '../engine/control-ids.js';

export const MODES = ['enforce', 'fill', 'audit'] as const;
export type Mode = (typeof MODES)[number];

// An annotation key prefix is a DNS subdomain (Kubernetes: ObjectMeta annotations).
// `container.<prefix>` must be one too, so the prefix leaves room for it.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const annotationPrefix = z
  .string()
  .max(253 - 'container.'.length, 'must be at most 243 characters (room for "container." in front)')
  .regex(DNS_SUBDOMAIN, 'must be a DNS subdomain, such as pod-hardener.io');

// A capability as the container runtimes take it: NET_BIND_SERVICE or CAP_NET_BIND_SERVICE.
const capabilityName = z.string().regex(/^(CAP_)?[A-Z][A-Z0-9_]*$/, 'must be an upper-case capability name such as NET_BIND_SERVICE');

// Kubernetes label and annotation keys: an optional DNS-subdomain prefix and a name.
const labelKey = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, 'must be a label key such as example.com/name');

const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name');

// A registry as image references name it: host[:port] (IPv6 in brackets); patterns may also be *.domain for every host under it.
const HOST_PORT = '(?:[a-zA-Z0-9](?:[-a-zA-Z0-9.]*[a-zA-Z0-9])?|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?';
const exactRegistryHost = z.string().regex(new RegExp(`^${HOST_PORT}$`), 'must be host[:port], such as mirror.example.com');
const registryHost = z.string().regex(new RegExp(`^(?:\\*\\.)?${HOST_PORT}$`), 'must be host[:port] or *.domain, such as registry.example.com:5000');

const imagesPolicySchema = z
  .object({
    /** Read each image's config from its registry; false: decide without it, as before images were read. */
    resolve: z.boolean().default(true),
    /** When an image cannot be read in time: harden as if it ran as non-root (harden), or leave runAsNonRoot unset (skip). */
    unreadable: z.enum(['harden', 'skip']).default('skip'),
    /** Registries whose images may be read; empty: all (those in deniedRegistries excepted). */
    allowedRegistries: z.array(registryHost).default([]),
    /** Registries never contacted; their images count as unreadable. Beats allowedRegistries. */
    deniedRegistries: z.array(registryHost).default([]),
    /** Registries read over plain HTTP (loopback hosts always are); every other one over HTTPS only. */
    insecureRegistries: z.array(registryHost).default([]),
    /** Registry → mirror host: the mirror is asked instead (with the mirror's credentials), never the original. */
    mirrors: z.record(exactRegistryHost, exactRegistryHost).default({}),
    /** Time budget per review for all its lookups, in ms; well inside the webhook's timeoutSeconds (5 s in manifests/). */
    timeoutMs: z.number().int().min(50).max(10_000).default(2000),
    /** How long a tag's answer is reused; digests never change and are kept until evicted. */
    cacheTtlSeconds: z.number().int().min(0).max(86_400).default(300),
    /** Most images kept in the cache (least recently used evicted first). */
    cacheSize: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict();

export type ImagesPolicy = z.infer<typeof imagesPolicySchema>;

export const policySchema = z
  .object({
    /** enforce: replace insecure values; fill: only fill unset fields; audit: change nothing, report. */
    mode: z.enum(MODES).default('enforce'),
    /** Prefix of the exemption annotations: <prefix>/exempt, container.<prefix>/<name>, … */
    annotationPrefix: annotationPrefix.default('pod-hardener.io'),
    /** Capabilities a container may keep in capabilities.add in enforce mode. */
    allowedCapabilities: z.array(capabilityName).default(['NET_BIND_SERVICE']),
    /** uid given to containers that get no runAsUser from any level (unset: none is given). */
    defaultRunAsUser: z.number().int().min(1, 'must be a non-root uid (1 or more)').max(2147483647).optional(),
    /** Namespaces whose pods are never touched. The webhook's own namespace is added at run time. */
    excludedNamespaces: z.array(namespaceName).default(['kube-system']),
    exemptions: z
      .object({
        /** Refuse exemptions that do not say why (<prefix>/exempt-reason). */
        requireReason: z.boolean().default(false),
        /** Controls that may be exempted at all; the others are always applied. */
        allowedControls: z.array(z.enum(CONTROL_IDS)).default([...CONTROL_IDS]),
        /** When set, exemptions are honoured only in namespaces carrying this label or annotation (with any value but "false"). */
        namespaceLabel: labelKey.optional(),
      })
      .strict()
      .default({ requireReason: false, allowedControls: [...CONTROL_IDS] }),
    /** Rules read from the Namespace object (labels or annotations), through the watched cache. */
    namespaces: z
      .object({
        /** A namespace label or annotation whose value (enforce, fill or audit) sets the mode for pods in it. */
        modeLabel: labelKey.optional(),
        /** Namespaces whose label or annotation of this key is "true" are never touched. */
        excludeLabel: labelKey.optional(),
      })
      .strict()
      .default({}),
    /** The answer when the webhook itself fails on a review: allow the pod unhardened, or deny it. */
    onInternalError: z.enum(['allow', 'deny']).default('allow'),
    /** Reading each container's image config (USER, VOLUMEs) from its registry: docs/images.md. */
    images: imagesPolicySchema.default(imagesPolicySchema.parse({})),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;

export const DEFAULT_POLICY: Policy = policySchema.parse({});
