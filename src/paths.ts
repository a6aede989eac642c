/** Where the project's data folders are, whether running from src/ (tsx) or dist/ (compiled). */
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const POLICIES_DIR = path.join(PROJECT_ROOT, 'policies');
export const CARDS_DIR = path.join(PROJECT_ROOT, 'cards');
