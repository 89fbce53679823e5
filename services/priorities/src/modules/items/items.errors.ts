// The priorities items' own codes (SPEC §4.4, §4.5); the generic ones come from the kit's genericError.
import { createError } from '@robbie/service-kit'

export const ItemNotFound = createError('PRIORITIES_NOT_FOUND', "Item '%s' not found", 404)
export const AssigneeNotFound = createError('PRIORITIES_ASSIGNEE_NOT_FOUND', "User '%s' is not an active user", 404)
export const VersionConflict = createError('PRIORITIES_VERSION_CONFLICT', 'The item is at version %s, not %s', 409)
export const TaskClosed = createError('PRIORITIES_TASK_CLOSED', 'The task is %s', 409)
export const Forbidden = createError('PRIORITIES_FORBIDDEN', 'You may not change this item', 403)
export const UnknownQuadrant = createError('PRIORITIES_UNKNOWN_QUADRANT', "Unknown quadrant '%s' (Q1, Q2, Q3 or Q4)", 400)
