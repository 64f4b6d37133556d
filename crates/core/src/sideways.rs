//! The counts of a selected facet in the same pass as the results ("drill sideways").
//!
//! Someone who picked the topic "water" still sees how many results each other topic would
//! give: a selected dimension is counted over the search *without* its own filter. That
//! took a second pass over every document matching the text, as costly as the search
//! itself (at 1M passages, a phrase query read every position of its words twice). Here
//! the search runs once without that filter, and the filter is tested on each matching
//! document instead: every match feeds the dimension's counts, and those that pass the
//! filter feed the results. Filters never add to scores (`search::filtering`), so the
//! results and their scores are those of the filtered search.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentOrdinal, SegmentReader};

/// Feeds `main` the documents that pass `filter` and `side` every document.
pub struct Sideways<Main, Side> {
    filter: Box<dyn Weight>,
    main: Main,
    side: Side,
}

impl<Main, Side> Sideways<Main, Side> {
    /// `filter` must have been built without scoring.
    pub fn new(filter: Box<dyn Weight>, main: Main, side: Side) -> Self {
        Sideways { filter, main, side }
    }
}

pub struct SidewaysSegment<Main, Side> {
    filter: Box<dyn Scorer>,
    main: Main,
    side: Side,
}

impl<Main: Collector, Side: Collector> Collector for Sideways<Main, Side> {
    type Fruit = (Main::Fruit, Side::Fruit);
    type Child = SidewaysSegment<Main::Child, Side::Child>;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(SidewaysSegment {
            filter: self.filter.scorer(segment, 1.0)?,
            main: self.main.for_segment(ord, segment)?,
            side: self.side.for_segment(ord, segment)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.main.requires_scoring() || self.side.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        let (main, side): (Vec<_>, Vec<_>) = fruits.into_iter().unzip();
        Ok((self.main.merge_fruits(main)?, self.side.merge_fruits(side)?))
    }
}

impl<Main: SegmentCollector, Side: SegmentCollector> SegmentCollector
    for SidewaysSegment<Main, Side>
{
    type Fruit = (Main::Fruit, Side::Fruit);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.side.collect(doc, score);
        // Documents come in increasing order, so the filter only ever moves forward.
        let mut at = self.filter.doc();
        if at < doc {
            at = self.filter.seek(doc);
        }
        if at == doc {
            self.main.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.main.harvest(), self.side.harvest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, DocSetCollector, TopDocs};
    use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, STRING, TEXT};
    use tantivy::{doc, Index, Term};

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// The main side gets exactly (and with the same scores) what the filtered search
        /// finds, the other side what the unfiltered one finds, over one or more segments.
        #[test]
        fn the_two_sides_are_the_filtered_and_the_unfiltered_search(
            docs in proptest::collection::vec(
                (proptest::collection::vec(0usize..4, 1..6), proptest::bool::ANY), 0..60),
            segments in 1usize..4,
        ) {
            let words = ["water", "housing", "heat", "wage"];
            let mut b = Schema::builder();
            let text = b.add_text_field("text", TEXT);
            let tag = b.add_text_field("tag", STRING);
            let index = Index::create_in_ram(b.build());
            let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
            let per = docs.len().div_ceil(segments).max(1);
            for chunk in docs.chunks(per) {
                for (ws, tagged) in chunk {
                    let body: Vec<&str> = ws.iter().map(|&i| words[i]).collect();
                    let t = if *tagged { "yes" } else { "no" };
                    w.add_document(doc!(text => body.join(" "), tag => t)).unwrap();
                }
                w.commit().unwrap();
            }
            let searcher = index.reader().unwrap().searcher();
            let q: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(text, "water"), IndexRecordOption::WithFreqs)) as Box<dyn Query>),
                (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(text, "wage"), IndexRecordOption::WithFreqs))),
            ]));
            let filter: Box<dyn Query> = Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(Term::from_field_text(tag, "yes"), IndexRecordOption::Basic)),
                0.0,
            ));
            let filtered = BooleanQuery::new(vec![
                (Occur::Must, q.box_clone()),
                (Occur::Must, filter.box_clone()),
            ]);
            let top = || TopDocs::with_limit(100).order_by_score();
            let (want_top, want_count) = searcher.search(&filtered, &(top(), Count)).unwrap();
            let want_side = searcher.search(q.as_ref(), &DocSetCollector).unwrap();
            let weight = filter.weight(EnableScoring::disabled_from_searcher(&searcher)).unwrap();
            let ((got_top, got_count), got_side) = searcher
                .search(q.as_ref(), &Sideways::new(weight, (top(), Count), DocSetCollector))
                .unwrap();
            proptest::prop_assert_eq!(got_count, want_count);
            proptest::prop_assert_eq!(got_top, want_top);
            proptest::prop_assert_eq!(got_side, want_side);
        }
    }
}
