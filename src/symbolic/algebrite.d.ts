declare module 'algebrite' {
  interface AlgebriteResult {
    toString(): string;
  }
  const Algebrite: { run(command: string): string; clearall(): void; [key: string]: unknown };
  export default Algebrite;
}
