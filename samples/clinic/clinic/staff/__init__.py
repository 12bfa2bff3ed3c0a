"""Clinical staff: providers, licenses, shifts and the provider schedule."""
