"""What comes in: files, stdin, news HTML, web pages and archives of many articles."""
