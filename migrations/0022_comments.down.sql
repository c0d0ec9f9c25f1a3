DROP TABLE IF EXISTS comment_mentions;
DROP TABLE IF EXISTS comments;
