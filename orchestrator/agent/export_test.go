package agent

// skipStep removes one isolation step for the mutation test and returns the undo.
func skipStep(step string) func() {
	skipped = map[string]bool{step: true}
	return func() { skipped = map[string]bool{} }
}
