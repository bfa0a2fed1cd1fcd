/** Frontend unit tests (pure logic in src/); the server has its own config in kernel-ext/. */
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.spec.ts?(x)'],
  transform: {
    '^.+\\.tsx?$': [
      'ts-jest',
      {
        isolatedModules: true,
        tsconfig: { jsx: 'react', esModuleInterop: true, module: 'commonjs' },
      },
    ],
    // csv-parse's browser build (src/model/delimited.ts) is ES modules only; jest runs CommonJS.
    '/node_modules/csv-parse/dist/esm/.+\\.js$': [
      'ts-jest',
      { isolatedModules: true, tsconfig: { allowJs: true, module: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!csv-parse/dist/esm/)'],
  passWithNoTests: false,
};
