// The registry's own codes (SPEC §7.1); the generic ones (GPU_COORDINATOR_NOT_FOUND, _CONFLICT, …) come from the
// kit's genericError.
import { createError } from '@robbie/service-kit'

export const UrlNotAllowed = createError('GPU_COORDINATOR_URL_NOT_ALLOWED', 'This node URL is not allowed: %s', 400)
export const NodeUnreachable = createError('GPU_COORDINATOR_NODE_UNREACHABLE', 'The node did not answer as an Ollama server: %s', 422)
