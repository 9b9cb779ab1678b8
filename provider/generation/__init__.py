"""One response: admission, the prompt and its window, the engine passes and the run."""
