"""What instructors learn about a submission beyond its score: the static audit."""
