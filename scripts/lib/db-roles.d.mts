export function schemaOf (service: string): string
export function ownerRole (service: string): string
export function runtimeRole (service: string): string
export function dbSecret (runDir: string): string
export function rolePassword (runDir: string, role: string): string
export function roleUrl (adminUrl: string, dbName: string, role: string, runDir: string): string
