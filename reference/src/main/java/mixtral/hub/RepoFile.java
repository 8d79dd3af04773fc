package mixtral.hub;

/**
 * One file of a model repository on the Hugging Face hub, as its API lists it.
 *
 * @param name   path inside the repository ({@code model-00001-of-00019.safetensors})
 * @param size   bytes
 * @param sha256 the content's sha256 for files stored with Git LFS (all weight files), else null
 * @param gitSha the git blob id (sha1 of {@code "blob <size>\0" + content}) for small files kept in git, else null
 */
public record RepoFile(String name, long size, String sha256, String gitSha) {}
