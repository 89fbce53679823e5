// The service names of ARCHITECTURE.md §2, in fleet order (fleet.json at the root holds the same list
// for the plain-Node scripts; a static test keeps the two equal).
export const SERVICES = ['auth', 'chat', 'priorities', 'secrets', 'integration-sync', 'gpu-coordinator', 'slack-bot', 'github-bot'] as const
export type ServiceName = typeof SERVICES[number]
export const schemaOf = (service: string) => service.replaceAll('-', '_')
