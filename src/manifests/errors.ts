/** The typed errors of manifest hardening; the CLI turns each into exit 1 and its message. */

/** Input that cannot be hardened; the message names the file and the document. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/**
 * A JSON Patch operation that cannot be written into the document's text
 * without changing more than it says (it goes through a YAML alias or merge
 * key, or the text has a shape the splicer does not edit). The caller adds
 * the file and document to the message.
 */
export class TextPatchError extends Error {
  override name = 'TextPatchError';
}
