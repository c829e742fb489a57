/** The image resolver: what each container's image says about itself (USER, VOLUMEs, digest). docs/images.md. */
export { createImageResolver, FAILURE_TTL_MS, LOOKUP_TIMEOUT_MS, type ImageResolver, type ImageResolverOptions } from './resolver.js';
export { DEFAULT_PLATFORM, formatPlatform, platformFromNodeSelector, type Platform } from './platform.js';
export { defaultDockerConfigPath, DockerConfigError, loadCliCredentials, loadDockerConfig, parseDockerConfig, type Credential, type CredentialStore } from './docker-config.js';
export { registerImageMetrics, NO_METRICS, type ImageMetrics } from './metrics.js';
export { ImageLookupError, LOOKUP_CAUSES, type LookupCause } from './errors.js';
export { parseReference, formatReference, type ImageReference } from './reference.js';
export { imagesToLookUp, podPlatform } from './pod-images.js';
