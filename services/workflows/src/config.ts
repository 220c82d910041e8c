import { z } from 'zod';
import { readConfig } from '@eventline/kit';

/** The workflows service's own settings, read once at start. */
const workflowsEnvSchema = z.object({
  /** executions the timer job decides per transaction: each holds its execution's row lock */
  WORKFLOWS_TIMERS_PER_TRANSACTION: z.coerce.number().int().min(1).max(500).default(20),
  /** the largest definition PUT /workflows/:name takes, in bytes of its JSON */
  WORKFLOWS_MAX_DEFINITION_BYTES: z.coerce.number().int().min(1024).default(262_144),
});

export type WorkflowsConfig = z.infer<typeof workflowsEnvSchema>;

let config: WorkflowsConfig | undefined;
export function workflowsConfig(): WorkflowsConfig {
  config ??= readConfig(workflowsEnvSchema);
  return config;
}
