export async function main(argv: string[]): Promise<number> {
  console.log("plantgate", process.version, argv.slice(2).join(" "));
  return 0;
}
