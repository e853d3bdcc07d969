/**
 * Jest resolver: tooling and test helpers are .cts files imported as './name.cjs' (the
 * TypeScript convention for CommonJS modules). When no .cjs file exists, use the .cts source.
 */
module.exports = (request, options) => {
	try {
		return options.defaultResolver(request, options);
	} catch (error) {
		if (!request.endsWith('.cjs')) throw error;
		return options.defaultResolver(request.slice(0, -4) + '.cts', options);
	}
};
