// Chromium's --host-resolver-rules for the impersonators: each faked host goes to its loopback port and
// every other lookup fails, so nothing the browser does can leave the machine.

/** `{'huggingface.co': 4431}` -> `MAP huggingface.co 127.0.0.1:4431,MAP * ~NOTFOUND,EXCLUDE localhost`. */
export function hostResolverRules(hosts: Record<string, number>): string {
  const maps = Object.entries(hosts).map(([host, port]) => {
    if (!/^[A-Za-z0-9.*-]+$/.test(host)) throw new Error(`Not a host name: ${host}`);
    if (!Number.isInteger(port) || port <= 0 || port > 65535)
      throw new Error(`Bad port for ${host}: ${port}`);
    return `MAP ${host} 127.0.0.1:${port}`;
  });
  // Specific rules first: Chromium applies the first MAP that matches.
  return [...maps, 'MAP * ~NOTFOUND', 'EXCLUDE localhost'].join(',');
}
