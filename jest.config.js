/** Frontend unit tests (pure logic in src/); the server has its own config in kernel-ext/. */
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.spec.ts?(x)'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { isolatedModules: true, tsconfig: { jsx: 'react', esModuleInterop: true, module: 'commonjs' } }],
  },
  passWithNoTests: false,
};
