/** `sentinel-ts drill`: being written (issue 14); this entry point only refuses for now. */
export async function runDrill(_argv: string[]): Promise<number> {
  process.stderr.write('sentinel-ts drill: not available in this build\n');
  return 1;
}
