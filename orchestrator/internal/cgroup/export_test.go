package cgroup

// NewAt is a group under another root (a temporary directory, or this host's cgroup2 mount) in the given version.
func NewAt(root, rel string, version int) Group { return Group{Rel: rel, Version: version, root: root} }
