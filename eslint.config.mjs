// ESLint guards the layers only; formatting is prettier's and types are tsc's (`npm run lint` runs all three).
// From the bottom: db (schema, vocabulary) → present (views, labels, time, Markdown, escaping, Statuspage presenters)
// → services → notify / publish → routes → app. The site renders what it is given: it imports present and types.
import tseslint from "typescript-eslint";

const layer = (files, groups, message) => ({
  files,
  languageOptions: { parser: tseslint.parser },
  plugins: { "@typescript-eslint": tseslint.plugin },
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      { patterns: [{ group: groups, allowTypeImports: true, message }] },
    ],
  },
});

const database = ["drizzle-orm", "drizzle-orm/*", "@/db/*", "!@/db/vocabulary"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".astro/**", "data/**"] },
  layer(
    ["api/routes/**/*.ts", "api/middleware/**/*.ts"],
    database,
    "Routes and middleware call services; only services touch the database (types and @/db/vocabulary are fine).",
  ),
  layer(
    ["present/**/*.ts"],
    [...database, "@/api/*", "@/api/**", "@/site/*", "@/site/**", "@/worker/**"],
    "present/ is the bottom of the presentation: it imports the vocabulary and types, nothing that presents or stores.",
  ),
  layer(
    ["site/**/*.ts"],
    [...database, "@/api/*", "@/api/**"],
    "The site renders the data it is given: it imports present/, the vocabulary and types, never services.",
  ),
  layer(
    ["api/services/**/*.ts"],
    ["@/api/publish/*", "@/api/notify/*", "@/api/routes/*", "@/site/*", "@/site/**"],
    "Services sit below publish, notify and routes; presentation they need lives in present/.",
  ),
  layer(
    ["api/outbound/**/*.ts"],
    [...database, "@/api/services/*", "@/api/notify/*", "@/api/publish/*", "@/api/routes/*", "@/site/*", "@/site/**"],
    "api/outbound is the SSRF guard every user-supplied URL passes through: it knows URLs and addresses, nothing above.",
  ),
  layer(
    ["api/chat/**/*.ts"],
    [...database, "@/api/services/*", "@/api/notify/*", "@/api/publish/*", "@/api/routes/*", "@/site/*", "@/site/**"],
    "api/chat builds platform messages and reads platform answers from plain views: pure, below notify and services.",
  ),
  layer(
    ["api/notify/**/*.ts", "api/publish/**/*.ts"],
    ["@/site/*", "@/site/**"],
    "Presentation is in present/, not site/.",
  ),
);
