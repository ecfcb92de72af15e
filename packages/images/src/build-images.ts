export async function buildImages(_options: { names: string[]; out: string | undefined }): Promise<void> {
  throw new Error('not yet');
}
