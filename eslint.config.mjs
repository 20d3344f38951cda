// ESLint guards the layers only; formatting is prettier's and types are tsc's (`npm run lint` runs all three).
import tseslint from "typescript-eslint";

const database = {
  patterns: [
    {
      group: ["drizzle-orm", "drizzle-orm/*", "@/db/*", "!@/db/vocabulary"],
      allowTypeImports: true,
      message:
        "Routes and middleware call services; only services touch the database (types and @/db/vocabulary are fine).",
    },
  ],
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".astro/**", "data/**"] },
  {
    files: ["api/routes/**/*.ts", "api/middleware/**/*.ts"],
    languageOptions: { parser: tseslint.parser },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: { "@typescript-eslint/no-restricted-imports": ["error", database] },
  },
);
