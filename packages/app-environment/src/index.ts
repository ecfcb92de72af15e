export {
  type Addressing,
  type AppEnvironments,
  type AppSecret,
  appEnvironment,
  definedVariables,
  type EnvironmentOf,
  type SecretSource,
} from './app-environment.ts';
