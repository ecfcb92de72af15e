import * as pulumi from '@pulumi/pulumi';

/** One resource registration as the engine would receive it. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly custom: boolean;
  /** `<provider urn>::<id>`, empty when the engine would pick a default provider. */
  readonly provider: string;
  readonly parent: string;
  /** URNs this resource waits for (dependsOn and inputs). */
  readonly dependencies: readonly string[];
  readonly deleteBeforeReplace: boolean;
  /** URN of the resource whose deletion deletes this one, or ''. */
  readonly deletedWith: string;
  /** Inputs, secrets still wrapped in Pulumi's secret signature. */
  readonly inputs: Record<string, unknown>;
}

export interface ProgramRun {
  readonly registrations: Registration[];
  /** The program module's exports (the stack outputs); empty when it failed. */
  readonly outputs: Record<string, unknown>;
  /** Why the program failed, as Pulumi would report it. */
  readonly error?: unknown;
}

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getProvider(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getDeletebeforereplace(): boolean;
  getDeletedwith(): string;
}

interface Monitor {
  registerResource(request: MonitorRequest, callback: (error: unknown, response?: { getUrn(): string }) => void): void;
}

/** Internal SDK functions the harness needs (exported at run time, not in the typings). */
const runtime = pulumi.runtime as unknown as { getMonitor(): Monitor; waitForRPCs(): Promise<void> };

/** What the mocked k3s server's token command prints: tests look for it in every plain input. */
export const mockJoinToken = 'K10mockjointoken0123456789abcdef::server:fedcba9876543210';

/**
 * Outputs every resource with its inputs; local Commands print a kubeconfig so the provider has one, the k3s
 * agents' token command (`<name>-token`) a join token.
 */
const mockState = (type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> =>
  type === 'command:local:Command'
    ? {
        ...inputs,
        stdout: name.endsWith('-token') ? `${mockJoinToken}\n` : 'apiVersion: v1\nkind: Config\n',
        stderr: '',
      }
    : inputs;

/**
 * Runs the Pulumi program under mocks and records what it registers, the way the engine would see it:
 * dependencies, providers, parents, inputs. Config is set before the program is imported (dynamically,
 * after setMocks, or its outputs would never resolve).
 */
export async function runProgram(
  config: Record<string, string>,
  secretKeys: readonly string[],
  importProgram: () => Promise<Record<string, unknown>>,
): Promise<ProgramRun> {
  const registrations: Registration[] = [];
  const inputsByName = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputsByName.set(`${args.type}::${args.name}`, args.inputs);
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
      },
      call: (args) => args.inputs,
    },
    'homelab',
    'test',
    false,
  );
  pulumi.runtime.setAllConfig(config, [...secretKeys]);
  const monitor = runtime.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (response) {
        registrations.push({
          type: request.getType(),
          name: request.getName(),
          urn: response.getUrn(),
          custom: request.getCustom(),
          provider: request.getProvider(),
          parent: request.getParent(),
          dependencies: request.getDependenciesList(),
          deleteBeforeReplace: request.getDeletebeforereplace(),
          deletedWith: request.getDeletedwith(),
          inputs: inputsByName.get(`${request.getType()}::${request.getName()}`) ?? {},
        });
      }
      callback(error, response);
    });
  try {
    const outputs = await importProgram();
    await runtime.waitForRPCs();
    return { registrations, outputs };
  } catch (error) {
    await runtime.waitForRPCs();
    return { registrations, outputs: {}, error };
  }
}

const secretSignature = '1b47061264138c4ac30d75fd1eb44270';

/** True when a mock input is wrapped as a secret. */
export const isSecretInput = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (value as Record<string, unknown>)['4dabf18193072939515e22adb298388d'] === secretSignature;

/** Every string of an input tree that is not inside a secret wrapper. */
export function plainStrings(value: unknown): string[] {
  if (isSecretInput(value)) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(plainStrings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(plainStrings);
  return [];
}
