// The deploy record moved to @homelab/deploy-report (the web image carries it); this path keeps the gate's callers.
export * from '@homelab/deploy-report';
