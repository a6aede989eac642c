/** The page's stand-in for Node's `os`: adaptive-expressions' eol() reads only EOL. */
export const EOL = '\n';
export default { EOL };
