// The web app's lint rules: ESLint's and typescript-eslint's recommended sets, the rules of React hooks and
// jsx-a11y's accessibility checks; formatting is prettier's (eslint-config-prettier turns off what it owns).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/api/schema.d.ts"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  { files: ["src/**/*.tsx"], ...jsxA11y.flatConfigs.recommended },
  { files: ["scripts/**/*.mjs", "e2e/**/*.mjs", "*.config.{js,ts}"], languageOptions: { globals: globals.node } },
  prettier,
);
