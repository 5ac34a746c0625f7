#include "test_support.h"
class TestGlueData : public QObject {
    Q_OBJECT
};
AX_TEST_MAIN(TestGlueData)
#include "test_glue_data.moc"
